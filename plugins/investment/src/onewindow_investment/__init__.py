"""onewindow section plugin for 投资项目审批科."""
