"""The API's resources, one router per area; ``main.py`` mounts them under /api/v1/."""
