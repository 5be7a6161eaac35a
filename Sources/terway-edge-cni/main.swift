// Placeholder: the plugin entry point comes with issue 2.
