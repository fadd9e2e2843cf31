"""Dashboards (issue 14): the big screen, the site map, the government view, reports and data
sharing. Reads every other app through its queries module, and shows aggregates only."""
