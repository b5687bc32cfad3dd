"""The managers' reports in the counter app: what they show (model), their charts (QtCharts)
and their exports (PDF, spreadsheet). The figures themselves come from the server."""
