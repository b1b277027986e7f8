// S1Spec: see ../shared/DESIGN.md for this layer's role.
