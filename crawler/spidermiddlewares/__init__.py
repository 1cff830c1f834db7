"""Spider middlewares: what is done to a spider's output before Scrapy schedules it."""
