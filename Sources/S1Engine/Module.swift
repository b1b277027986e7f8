// S1Engine: see ../shared/DESIGN.md for this layer's role.
