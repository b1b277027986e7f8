// S1Method: the s1 science (selection, forcing, baselines, grading, metrics), pure functions of their inputs; the method is in docs/METHOD.md.
