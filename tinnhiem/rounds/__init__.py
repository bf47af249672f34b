"""Province rounds (đợt lấy phiếu) and the common ballot template."""
