"""onewindow section plugin for 交通运输审批科."""
