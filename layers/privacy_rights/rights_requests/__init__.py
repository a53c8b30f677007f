"""Taking a request in and proving who asks: intake, verification, sign-in, access, duplicates."""
