"""The accuracy pass: prepare a run (suites, fixtures, the plan of servers), then serve every variant and
append each answer to the run log."""
