"""Static files of the web playground (served by `editbay.api.routes.web`)."""
