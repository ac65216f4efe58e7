"""The news desk: feeds watched for new articles, each article fetched, archived, de-duplicated
and read into proposed claims by background jobs (``tasks.py``), and a periodic check of the
sources' addresses."""
