detach {backup}
