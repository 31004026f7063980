"""onewindow section plugin for 规划审批科."""
