"""The archive (DESIGN §6): notes, Hexo posts and the optional git history of them."""
