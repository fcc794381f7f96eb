copy relay_incoming ({columns}) from stdin (format csv)
