"""onewindow section plugin for 建设工程审批科."""
