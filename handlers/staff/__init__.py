"""The staff side: onboarding, administration, duty, and the counsellor's side of conversations."""
