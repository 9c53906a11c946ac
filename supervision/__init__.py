"""Supervision office: SLA scan, supervision orders (督办单), follow-up (回访), extension decisions,
overdue lists, measures per unit and period, and the monthly bulletin (每月通报)."""
