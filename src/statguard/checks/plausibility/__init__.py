"""Rule kinds for the fingerprints of invented and polished figures (digits, perfect figures,
smoothness, peer outliers, benchmarks), over long-format figures: one row per unit, period,
indicator and value."""
