"""Programme, speakers and materials of events: pages, downloads and the rules behind them."""
