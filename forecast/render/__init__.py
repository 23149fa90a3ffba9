"""Everything that prints: rich terminal reports, markdown, and number formatting."""
