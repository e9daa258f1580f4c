"""Programs, rules, eligibility evaluation with reasons (filled by later work)."""
