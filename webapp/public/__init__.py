"""Public pages: the catalogue, event pages and region pages."""
