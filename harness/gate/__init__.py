"""The regression gate: rules evaluated on a scored run folder, baselines, the CI files and the CI step."""
