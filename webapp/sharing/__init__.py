"""Sharing: link previews, sitemap, syndication feeds and the embeddable event list."""
