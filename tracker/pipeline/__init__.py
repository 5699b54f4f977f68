"""The two-site pipeline of SPEC 2: stages, actions and the operation that applies them."""
