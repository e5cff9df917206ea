"""Server-rendered pages. Views stay thin: they call permissions, lifecycle and members."""
