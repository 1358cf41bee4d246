"""Findings -> evidence: each link's findings, one summary per link, tiers, the grid, conflicts."""
