"""Regions, households (KK), persons (NIK), desil history and the NIK/KK rules."""
