"""The report site: a stored run's report as static pages (``checker.reports.site.build``),
with its templates, stylesheet and script shipped in this package."""
