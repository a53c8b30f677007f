"""What privacy operations staff do through the ops API."""
