// S1Store: see ../shared/DESIGN.md for this layer's role.
