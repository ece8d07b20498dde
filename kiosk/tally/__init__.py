"""The closing tally's printed output (report.py, pdf.css); its figures are in kiosk.figures.tally."""
