"""One State class per feature; `session` holds the signed-in user for all of them."""
