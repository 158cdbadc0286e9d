"""The fixture site of the realistic-page tests: a Japanese car dealer's pages and the
third-party endpoints its tags call, served by one logging server (see ``site.py``)."""
