"""Collections: nested folders of samples, and smart collections defined by rules."""
