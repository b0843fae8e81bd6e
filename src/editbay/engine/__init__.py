"""The edit engine: instruction → typed `EditPlan` → one ffmpeg render. No server dependency."""
