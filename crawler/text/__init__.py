"""Text work on articles: strings, HTML cleaning, URLs, dates, topics, summaries, tags, MinHash."""
