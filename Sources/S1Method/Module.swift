// S1Method: see ../shared/DESIGN.md for this layer's role.
