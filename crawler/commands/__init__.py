"""The application: what each topicfeed subcommand runs."""
