set threads = $threads
