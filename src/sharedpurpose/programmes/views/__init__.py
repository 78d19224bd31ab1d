"""Programme and round pages: ``public`` for everyone, ``staff`` under /manage/."""
