"""The API's resources, a module each: routes on kiosk.api.bp, PATHS and SCHEMAS for the document."""
