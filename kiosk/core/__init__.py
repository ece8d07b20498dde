"""The kiosk's infrastructure, which knows nothing of fairs, booths or requests: the database and
its driver, the extensions, configuration, time, form helpers, refusals, spreadsheets, gzip, the
security headers and error pages, safe URLs and backups. The domain packages import from here;
nothing here imports them (make lint's import contracts)."""
