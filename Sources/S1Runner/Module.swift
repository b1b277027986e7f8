// S1Runner: see ../shared/DESIGN.md for this layer's role.
