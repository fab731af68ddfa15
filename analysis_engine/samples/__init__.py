"""The sample library: uploads, storage, quotas and the producer's list of sounds."""
