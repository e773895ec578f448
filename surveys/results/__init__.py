"""Pure survey statistics: answers in, JSON-ready frozen dataclasses out, one module per concern.

data (tidy answers -> NumPy columns), grid (response x item grids, one row per company),
scale, choice, number, text, ranking, budget (one summary per question type), groups
(comparisons between groups of companies), summary (a whole survey) and report (plain text).
The publication gate (surveys.anonymize) turns a SurveySummary into what the public sees.
"""
