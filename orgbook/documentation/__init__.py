"""Documentation shared across an implementation's models; reference model trees; manual links; coverage."""
