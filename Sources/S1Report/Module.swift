// S1Report: see ../shared/DESIGN.md for this layer's role.
