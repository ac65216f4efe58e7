"""Following projects, organizations and saved searches: notifications, e-mail digests and
signed webhook calls when a followed record changes, and corrections suggested by readers."""
