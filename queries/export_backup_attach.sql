attach $output as {backup}
